import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/fields.ts';

/**
 * The id itself, or the original's 400 for an id that is not a UUID. The original
 * answered `{"error": str(error)}` for Django's ValidationError, whose text is the
 * repr of its list of messages: `['“null” is not a valid UUID.']`. Its clients'
 * tests compare that text exactly.
 */
export function requireUuid(id: string): string {
  if (!isUuid(id)) {
    throw new AppError('invalid_uuid', `[${pythonRepr(`“${id}” is not a valid UUID.`)}]`);
  }
  return id;
}

// What Python's str.isprintable() refuses (other than the space), which repr() escapes.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Python 3's repr() of a str: single quotes unless the text has one and no double quote. */
function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let escaped = '';
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (character === quote || character === '\\') escaped += `\\${character}`;
    else if (NAMED_ESCAPES[character] !== undefined) escaped += NAMED_ESCAPES[character];
    else if (character === ' ' || !NOT_PRINTABLE.test(character)) escaped += character;
    else if (code < 0x100) escaped += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) escaped += `\\u${code.toString(16).padStart(4, '0')}`;
    else escaped += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${quote}${escaped}${quote}`;
}

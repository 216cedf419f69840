// The pieces of a form: the CSRF field, a labelled field with its error beside it,
// and the summary of errors at the top. Field errors come from the services'
// AppError (the same rules and words as the APIs), never from rules of the pages'.
import { html } from 'ghtml';
import { CSRF_FORM_FIELD } from '../auth/csrf.ts';
import { AppError, type FieldErrors } from '../core/errors.ts';

/** The hidden field Django's CSRF check reads from a form (auth/csrf.ts). */
export function csrfField(token: string): string {
  return html`<input type="hidden" name="${CSRF_FORM_FIELD}" value="${token}" />`;
}

/**
 * The field messages of an error a form should show next to its fields (invalid
 * input, or a rule such as "phone number taken"), or undefined for any other error,
 * which the page's error handler answers.
 */
export function formErrorsOf(error: unknown): FieldErrors | undefined {
  if (!(error instanceof AppError) || error.fields === undefined) return undefined;
  return error.statusCode === 400 || error.statusCode === 409 ? error.fields : undefined;
}

export interface TextFieldOptions {
  name: string;
  label: string;
  value: string | undefined;
  errors: FieldErrors | undefined;
  /** A line under the label that says what the field wants. */
  hint?: string;
  type?: 'text' | 'tel' | 'search' | 'email' | 'number' | 'date';
  autocomplete?: string;
  required?: boolean;
  maxLength?: number;
}

/** The id of a field's input, for labels and the error summary's links. */
export const fieldId = (name: string) => `field-${name}`;

/** A label, an optional hint, the error (if any) and the input, tied together for assistive technology. */
export function textField(options: TextFieldOptions): string {
  const id = fieldId(options.name);
  const messages = options.errors?.[options.name] ?? [];
  const hintId = options.hint === undefined ? undefined : `${id}-hint`;
  const errorId = messages.length === 0 ? undefined : `${id}-error`;
  const describedBy = [hintId, errorId].filter((part) => part !== undefined).join(' ');
  return html`<div class="field!${errorId === undefined ? '' : ' has-error'}">
    <label for="${id}">${options.label}</label>
    !${hintId === undefined ? '' : html`<p class="hint" id="${hintId}">${options.hint}</p>`}
    !${errorId === undefined ? '' : html`<p class="field-error" id="${errorId}">${messages.join(' ')}</p>`}
    <input
      id="${id}"
      name="${options.name}"
      type="${options.type ?? 'text'}"
      value="${options.value ?? ''}"
      !${attributes({
        autocomplete: options.autocomplete,
        maxlength: options.maxLength,
        required: options.required,
        'aria-describedby': describedBy === '' ? undefined : describedBy,
        'aria-invalid': errorId === undefined ? undefined : 'true',
      })}
    />
  </div>`;
}

/**
 * "There is a problem" at the top of a form, each message a link to its field
 * (GOV.UK's error summary): a screen-reader user hears at once what to fix.
 * Messages for fields the form does not show are listed without a link.
 */
export function errorSummary(
  errors: FieldErrors | undefined,
  labels: Record<string, string>,
): string {
  if (errors === undefined || Object.keys(errors).length === 0) return '';
  const items = Object.entries(errors).map(([field, messages]) => {
    const label = labels[field];
    const text = messages.join(' ');
    return label === undefined
      ? html`<li>${text}</li>`
      : html`<li><a href="#${fieldId(field)}">${label}: ${text}</a></li>`;
  });
  return html`<div class="error-summary" role="alert" tabindex="-1">
    <h2>There is a problem</h2>
    <ul>
      !${items}
    </ul>
  </div>`;
}

/** ` name="value"` for each present attribute (`true` alone for a boolean one), escaped. */
function attributes(values: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(([name, value]) => (value === true ? html` ${name}` : html` ${name}="${String(value)}"`))
    .join('');
}

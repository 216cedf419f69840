// ES2025 JSON.parse source text access and JSON.rawJSON (Node.js 22+), not yet in
// TypeScript's lib files.
interface JSONRawValue {
  readonly rawJSON: string;
}

interface JSONReviverContext {
  readonly source?: string;
}

interface JSON {
  rawJSON(text: string): JSONRawValue;
  parse(
    text: string,
    reviver: (this: unknown, key: string, value: unknown, context: JSONReviverContext) => unknown,
  ): unknown;
}

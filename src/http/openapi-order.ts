// The OpenAPI document in an order of its own, not the order in which routes happened
// to be registered: the committed openapi.json then changes only where a route does,
// and two branches that add routes do not both rewrite its order.
const TOP_LEVEL_ORDER = ['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components'];
const METHOD_ORDER = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * The document with its keys in a fixed order: the top level as OpenAPI lists it,
 * paths and components by name, methods as OpenAPI lists them, responses by status.
 * What is inside an operation or a schema keeps the order the code gives it.
 */
export function inStableOrder<T extends object>(document: T): T {
  const source = document as Record<string, unknown>;
  const ordered = sortKeys(source, byList(TOP_LEVEL_ORDER));
  const paths = source.paths as Record<string, Record<string, unknown>> | undefined;
  if (paths !== undefined) {
    ordered.paths = Object.fromEntries(
      Object.entries(sortKeys(paths, alphabetical)).map(([url, item]) => [
        url,
        sortKeys(
          Object.fromEntries(
            Object.entries(item).map(([method, operation]) => [
              method,
              withSortedResponses(operation as Record<string, unknown>),
            ]),
          ),
          byList(METHOD_ORDER),
        ),
      ]),
    );
  }
  const components = source.components as Record<string, Record<string, unknown>> | undefined;
  if (components !== undefined) {
    ordered.components = Object.fromEntries(
      Object.entries(sortKeys(components, alphabetical)).map(([kind, entries]) => [
        kind,
        sortKeys(entries, alphabetical),
      ]),
    );
  }
  return ordered as T;
}

function withSortedResponses(operation: Record<string, unknown>): Record<string, unknown> {
  const responses = operation.responses as Record<string, unknown> | undefined;
  if (responses === undefined) return operation;
  return { ...operation, responses: sortKeys(responses, byStatus) };
}

/** 200, 201, 2XX, 400, …, default: a range after the statuses it covers. */
const byStatus: KeyOrder = (a, b) => statusRank(a) - statusRank(b) || alphabetical(a, b);

function statusRank(status: string): number {
  if (!/^[1-5][0-9X]{2}$/i.test(status)) return Infinity;
  return Number(status.replace(/X/gi, '9')) + (/X/i.test(status) ? 0.5 : 0);
}

type KeyOrder = (a: string, b: string) => number;

const alphabetical: KeyOrder = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Listed keys first, in the list's order; the others after them, alphabetically. */
function byList(list: readonly string[]): KeyOrder {
  const rank = (key: string) => (list.includes(key) ? list.indexOf(key) : list.length);
  return (a, b) => rank(a) - rank(b) || alphabetical(a, b);
}

function sortKeys<V>(object: Record<string, V>, order: KeyOrder): Record<string, V> {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => order(a, b)));
}

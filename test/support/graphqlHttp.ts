/** A GraphQL response as JSON. */
export interface GraphQLResponseBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly {
    readonly message: string;
    readonly path?: readonly (string | number)[];
    readonly extensions?: Record<string, unknown>;
  }[];
}

/** The result of {@link postGraphQL}: status, headers, parsed body and the raw text. */
export interface GraphQLHttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: GraphQLResponseBody;
  readonly text: string;
}

/**
 * POSTs a GraphQL operation as `application/json` (which passes Apollo's CSRF
 * prevention) and parses the JSON response.
 */
export async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLHttpResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as GraphQLResponseBody,
    text,
  };
}

/** Whether a response text carries anything that looks like a stack trace or exception. */
export function hasStackTrace(text: string): boolean {
  return /stacktrace|exception|\n\s+at |\\n\s+at |at .+\.(ts|js):\d+:\d+/i.test(text);
}

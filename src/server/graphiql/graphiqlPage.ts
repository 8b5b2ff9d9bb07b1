import { GRAPHIQL_ASSET_PATH, GRAPHIQL_INIT_ASSET } from './graphiqlAssets.js';

/** Options of {@link graphiqlPage}. */
export interface GraphiqlPageOptions {
  /** Path of the GraphQL endpoint the page talks to. @default '/graphql' */
  readonly endpoint?: string;
  /** The query the editor opens with (GraphiQL keeps the user's own tabs in localStorage after that). */
  readonly defaultQuery: string;
}

/**
 * The example query GraphiQL opens with: recommendations for `userId` (a real
 * user of the served model, so it works on a freshly trained registry) or,
 * without one, for an anonymous user (cold start), plus the model version.
 */
export function exampleQuery(userId?: string): string {
  const user = userId === undefined ? '' : `userId: ${JSON.stringify(userId)}, `;
  return `# Welcome to recgate. Press the run button (or Ctrl-Enter) to run this query.
# Admin mutations need the header  {"Authorization": "Bearer <RECGATE_ADMIN_TOKEN>"}  (Headers tab).
query Example {
  recommendations(${user}first: 5) {
    requestId
    items {
      rank
      score
      reasons
      item {
        id
        title
        categories
      }
    }
  }
  modelInfo {
    rankerVersion
  }
}
`;
}

/** JSON safe inside a `<script>` element (no `</script>`, no HTML comment openers). */
const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

/**
 * The GraphiQL HTML page. Every asset URL is a path on this server
 * ({@link GRAPHIQL_ASSET_PATH}); no inline script runs (the settings are a
 * JSON data block), so the page works under the strict CSP that
 * `createServer` sends with it.
 */
export function graphiqlPage(options: GraphiqlPageOptions): string {
  const asset = (name: string): string => `${GRAPHIQL_ASSET_PATH}/${name}`;
  const config = { endpoint: options.endpoint ?? '/graphql', defaultQuery: options.defaultQuery };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>recgate GraphiQL</title>
    <style>
      body { margin: 0; height: 100vh; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
    <link rel="stylesheet" href="${asset('graphiql.min.css')}" />
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script id="graphiql-config" type="application/json">${scriptJson(config)}</script>
    <script src="${asset('react.production.min.js')}"></script>
    <script src="${asset('react-dom.production.min.js')}"></script>
    <script src="${asset('graphiql.min.js')}"></script>
    <script src="${asset(GRAPHIQL_INIT_ASSET)}"></script>
  </body>
</html>
`;
}

/**
 * Content-Security-Policy of the page: scripts and connections only to this
 * origin; styles may be inline (GraphiQL sets style attributes); images and
 * fonts may be data: URLs (GraphiQL's CSS embeds its fonts).
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

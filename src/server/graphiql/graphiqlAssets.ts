import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Request, Response } from 'express';

const require = createRequire(import.meta.url);
const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

/** URL prefix of the GraphiQL assets served by recgate (no CDN: many networks have no internet). */
export const GRAPHIQL_ASSET_PATH = '/graphiql/assets';

/**
 * The files GraphiQL's page needs, by URL name: the UMD builds of React 18,
 * ReactDOM and GraphiQL 3 and GraphiQL's stylesheet, read from node_modules.
 * A fixed allow-list, so no request can reach any other file.
 */
export const GRAPHIQL_ASSETS: Readonly<Record<string, string>> = {
  'react.production.min.js': join(packageDir('react'), 'umd/react.production.min.js'),
  'react-dom.production.min.js': join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
  'graphiql.min.js': join(packageDir('graphiql'), 'graphiql.min.js'),
  'graphiql.min.css': join(packageDir('graphiql'), 'graphiql.min.css'),
};

/** The script that mounts GraphiQL, reading its settings from the page's `#graphiql-config` JSON. */
const INIT_SCRIPT = `'use strict';
(function () {
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    }),
  );
})();
`;

/** The init script's URL name. */
export const GRAPHIQL_INIT_ASSET = 'graphiql-init.js';

/**
 * Express handler for `GET /graphiql/assets/:name`: one of
 * {@link GRAPHIQL_ASSETS} or the init script, with its content type and a
 * one-day cache; 404 for anything else.
 */
export function serveGraphiqlAsset(req: Request<{ name: string }>, res: Response): void {
  const name = req.params.name;
  res.setHeader('Cache-Control', 'public, max-age=86400');
  if (name === GRAPHIQL_INIT_ASSET) {
    res.type('text/javascript').send(INIT_SCRIPT);
    return;
  }
  const file = Object.hasOwn(GRAPHIQL_ASSETS, name) ? GRAPHIQL_ASSETS[name] : undefined;
  if (file === undefined) {
    res
      .status(404)
      .type('text/plain')
      .send(`No GraphiQL asset named ${JSON.stringify(name)}.\n`);
    return;
  }
  res.sendFile(file, {
    headers: { 'Content-Type': `${name.endsWith('.css') ? 'text/css' : 'text/javascript'}; charset=utf-8` },
  });
}

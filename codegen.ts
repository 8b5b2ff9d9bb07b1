import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator: turns `schema/*.graphql` into typed resolver
 * signatures in `src/generated/graphql.ts` (run `npm run codegen`).
 */
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: { useTypeImports: true, enumsAsTypes: true },
    },
  },
};

export default config;

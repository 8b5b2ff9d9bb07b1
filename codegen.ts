import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator: turns `schema/*.graphql` into typed resolver
 * signatures in `src/generated/graphql.ts` (run `npm run codegen`; the file is
 * git-ignored). Parent types are the engine's service types
 * (`src/services/serviceTypes.ts`), so a resolver receives what the gateway
 * returned; the context is the per-request {@link RequestContext}.
 */
const services = '../services/serviceTypes.js';

const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        // Times arrive as RFC 3339 strings (parsed to Unix ms in the resolvers) and leave as Unix ms
        // (the DateTime scalar serialises them).
        scalars: {
          DateTime: { input: 'string', output: 'number | string' },
          JSON: { input: 'unknown', output: 'unknown' },
        },
        contextType: '../server/requestContext.js#RequestContext as ServerRequestContext',
        mapperTypeSuffix: 'Model',
        mappers: {
          Recommendation: `${services}#Recommendation`,
          RecommendationList: `${services}#RecommendationList`,
          Item: `${services}#ItemView`,
          User: `${services}#UserView`,
          Promotion: `${services}#Promotion`,
          ExperimentAssignment: `${services}#ExperimentAssignment`,
          Experiment: `${services}#Experiment`,
          ModelInfo: `${services}#ModelInfo`,
          FeedbackResult: `${services}#FeedbackResult`,
          UserError: `${services}#UserError`,
        },
      },
    },
  },
};

export default config;

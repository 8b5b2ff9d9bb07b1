import type { QueryResolvers } from '../../src/generated/graphql.js';

/** `Query.modelInfo`: the registry version being served. */
export const modelInfo: NonNullable<QueryResolvers['modelInfo']> = (_parent, _args, ctx) =>
  ctx.gateway.modelInfo();

import type { QueryResolvers } from '../../src/generated/graphql.js';

/** `Query.experiments`: the experiments of the config file. */
export const experiments: NonNullable<QueryResolvers['experiments']> = (_parent, _args, ctx) =>
  ctx.gateway.experiments();

import type { ValidationRule } from 'graphql';
import { GraphQLError } from 'graphql';

/**
 * Refuses subscription operations at validation (400
 * `GRAPHQL_VALIDATION_FAILED`): the schema has no Subscription type, and
 * graphql-js would otherwise fail only while executing, which the server
 * masks as an internal error and logs at error level.
 */
export const noSubscriptionsRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription') {
      context.reportError(
        new GraphQLError('Subscriptions are not supported: send a query or a mutation.', { nodes: node }),
      );
    }
  },
});

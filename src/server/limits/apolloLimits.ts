import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationContext, ValidationRule } from 'graphql';
import { GraphQLError } from 'graphql';
import { LIMITS } from '../limits.js';
import { noSubscriptionsRule } from './noSubscriptionsRule.js';
import { listCostRule } from './listCostRule.js';
import type { QueryLimits } from './queryLimits.js';
import { rootFieldsRule } from './rootFieldsRule.js';
import { variableShapeGuard } from './variableShapeGuard.js';

/**
 * The longest list variable coerced at all: twice the largest list any
 * argument accepts (LIMITS.maxBatch, 1000). A batch a little over the limit
 * still gets the resolver's own error naming the argument (or, for
 * `recordImpressions`, the documented BATCH_TOO_LARGE as data); a longer one
 * is refused before coercion, which costs about 12 µs an element (1.2 s for
 * 100,000 feedback events).
 */
export const MAX_VARIABLE_LIST_LENGTH = 2 * LIMITS.maxBatch;

/** The ApolloServer options {@link apolloLimits} sets. */
export interface ApolloLimitOptions {
  readonly validationRules: ValidationRule[];
  readonly parseOptions: NonNullable<ApolloServerOptions<BaseContext>['parseOptions']>;
  readonly allowBatchedHttpRequests: false;
  readonly plugins: ApolloServerPlugin<BaseContext>[];
}

/**
 * Reports an armor rejection to the validation as a plain error, without the
 * `Syntax Error: ` prefix armor puts on validation messages. Apollo gives
 * every validation error `extensions.code: GRAPHQL_VALIDATION_FAILED` and
 * HTTP status 400; errorMasking.ts shows that code as it is.
 */
const report = (context: ValidationContext | null, error: GraphQLError): void =>
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));

/**
 * The ApolloServer options enforcing {@link QueryLimits}, to spread into the
 * ApolloServer constructor:
 *
 * - depth, aliases and directives: graphql-armor's validation rules;
 * - root fields: {@link rootFieldsRule} (armor has no such rule);
 * - tokens: graphql-js's own parser limit (`parseOptions.maxTokens`, error
 *   code `GRAPHQL_PARSE_FAILED`). Armor's token plugin is off: under Apollo it
 *   parses every document a second time in `parsingDidStart`, and a rejection
 *   thrown there is not a parse error;
 * - list entries: {@link listCostRule}. Armor's cost limit is off: it weighs
 *   fields and depth but not `first`, so it cannot see the costly documents;
 * - field suggestions ("Did you mean …") stay on: the schema is public and
 *   introspectable, so hiding them would only make errors less helpful;
 * - HTTP batching stays off (one operation per request, so the limits bound
 *   a request);
 * - variables: {@link variableShapeGuard}, a plugin refusing before
 *   coercion the variables graphql-js is slow to refuse (lists over
 *   {@link MAX_VARIABLE_LIST_LENGTH}, unknown input fields, objects for scalars).
 *
 * Only armor's validation rules are used: its Apollo plugins serve the token
 * limit and the suggestion masking, both off here (and they are typed
 * against Apollo's CommonJS build, which does not type-check against ours).
 */
export function apolloLimits(limits: QueryLimits): ApolloLimitOptions {
  const rejection = { propagateOnRejection: false, onReject: [report] };
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...rejection },
    maxAliases: { n: limits.maxAliases, ...rejection },
    maxDirectives: { n: limits.maxDirectives, ...rejection },
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: [
      ...armor.validationRules,
      rootFieldsRule(limits.maxRootFields),
      listCostRule(limits.maxListItems),
      noSubscriptionsRule,
    ],
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: false,
    plugins: [variableShapeGuard(MAX_VARIABLE_LIST_LENGTH)],
  };
}

import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLSchema, TypeNode } from 'graphql';
import { GraphQLError, Kind } from 'graphql';

/** The parts of a graphql-js input type this file reads (see {@link kindOf}). */
interface InputTypeLike {
  readonly name?: string;
  readonly ofType?: InputTypeLike;
  getFields?(): Readonly<Record<string, { readonly type: InputTypeLike }>>;
}

/**
 * The class of a graphql-js type from its `Symbol.toStringTag`
 * (`GraphQLList`, `GraphQLInputObjectType`, …), not from `instanceof`: under
 * vitest Apollo's schema and this file can see two copies of graphql-js, and
 * graphql-js's own `isListType` throws across copies in development mode.
 */
const kindOf = (type: unknown): string => Object.prototype.toString.call(type).slice(8, -1);

/** What a JSON value is, for messages: `an object`, `a list of 1 entry`, `a list of 5 entries`. */
const describe = (value: object): string =>
  Array.isArray(value)
    ? `a list of ${value.length} ${value.length === 1 ? 'entry' : 'entries'}`
    : 'an object';

/** A type name with its indefinite article, for messages: `an ID`, `an ItemFilter`, `a FeedbackType`. */
const aType = (name: string | undefined): string => `${/^[AEIOU]/i.test(name ?? '') ? 'an' : 'a'} ${name}`;

/** A client-chosen name, shortened for a message. */
const quote = (name: string): string => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);

/** What is wrong with a variable: where (`e[3].context`), what was expected and what was received. */
interface Problem {
  readonly path: string;
  readonly expected: string;
  readonly received: string;
}

/**
 * A problem found below the variable: the path's segments from the variable
 * down (list index or field name), built only once a problem is found, so a
 * valid variable costs no strings.
 */
interface FoundProblem {
  readonly segments: (string | number)[];
  readonly expected: string;
  readonly received: string;
}

/** An input object type's fields as [name, type] pairs, computed once per type. */
const fieldLists = new WeakMap<object, readonly (readonly [string, InputTypeLike])[]>();

function fieldList(type: InputTypeLike): readonly (readonly [string, InputTypeLike])[] {
  let list = fieldLists.get(type);
  if (list === undefined) {
    list = Object.entries(type.getFields!()).map(([key, field]) => [key, field.type] as const);
    fieldLists.set(type, list);
  }
  return list;
}

/**
 * Why `value` cannot be coerced to `type`, or null when graphql-js may try.
 * Only the problems that are expensive for graphql-js to report are looked
 * for; everything else is left to its coercion and messages.
 */
function problem(type: InputTypeLike, value: unknown, maxListLength: number): FoundProblem | null {
  if (value === null || value === undefined) return null;
  switch (kindOf(type)) {
    case 'GraphQLNonNull':
      return problem(type.ofType!, value, maxListLength);
    case 'GraphQLList': {
      // A single value stands for a list of one (GraphQL input coercion).
      if (!Array.isArray(value)) return problem(type.ofType!, value, maxListLength);
      if (value.length > maxListLength) {
        return {
          segments: [],
          expected: `a list of at most ${maxListLength} entries`,
          received: `a list of ${value.length}`,
        };
      }
      for (let i = 0; i < value.length; i++) {
        const found = problem(type.ofType!, value[i], maxListLength);
        if (found !== null) {
          found.segments.unshift(i);
          return found;
        }
      }
      return null;
    }
    case 'GraphQLInputObjectType': {
      if (typeof value !== 'object' || Array.isArray(value)) return null; // graphql-js's message is short
      const fields = type.getFields!();
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        if (!Object.hasOwn(fields, key)) {
          return {
            segments: [],
            expected: aType(type.name),
            received: `the field ${quote(key)}, which ${type.name} does not have`,
          };
        }
      }
      for (const [key, fieldType] of fieldList(type)) {
        const found = problem(fieldType, (value as Record<string, unknown>)[key], maxListLength);
        if (found !== null) {
          found.segments.unshift(key);
          return found;
        }
      }
      return null;
    }
    default:
      // Leaf types. JSON takes anything (its own size rules apply later); any
      // other scalar or enum given an object or list is refused here, because
      // graphql-js would print the whole value into its message.
      if (type.name === 'JSON' || typeof value !== 'object') return null;
      return { segments: [], expected: aType(type.name), received: describe(value) };
  }
}

/** `name` followed by the segments: `e[3].context`. */
function pathOf(name: string, segments: readonly (string | number)[]): string {
  let path = name;
  for (const s of segments) path += typeof s === 'number' ? `[${s}]` : `.${s}`;
  return path;
}

/** The problem of variable `name` holding `value`, with its path; null when graphql-js may try. */
function variableProblem(
  type: InputTypeLike,
  value: unknown,
  name: string,
  maxListLength: number,
): Problem | null {
  const found = problem(type, value, maxListLength);
  if (found === null) return null;
  return { path: pathOf(name, found.segments), expected: found.expected, received: found.received };
}

/** The schema type a variable definition's type names, wrappers included; null for an unknown name. */
function resolveTypeNode(schema: GraphQLSchema, node: TypeNode): InputTypeLike | null {
  if (node.kind === Kind.NAMED_TYPE)
    return (schema.getType(node.name.value) as InputTypeLike | undefined) ?? null;
  const inner = resolveTypeNode(schema, node.type);
  if (inner === null) return null;
  // Only kindOf and ofType are read, so a tagged plain object stands in for GraphQLList/GraphQLNonNull.
  const tag = node.kind === Kind.LIST_TYPE ? 'GraphQLList' : 'GraphQLNonNull';
  return { ofType: inner, [Symbol.toStringTag]: tag } as InputTypeLike;
}

/**
 * An Apollo plugin that checks the JSON variables of an operation against
 * their declared types before graphql-js coerces them, and refuses at once
 * what would be slow to refuse later (measured on the real engine, issue #5
 * §4): a list variable longer than `maxListLength` (100,000 feedback events
 * as a 4 MB variable took 1.2 s to coerce before the resolver refused the
 * count), an input object with fields its type does not have (200,000
 * unknown fields in a `RequestContext` took 19 s: graphql-js prints the whole
 * object into each of up to 50 errors), and an object or list given to a
 * scalar or enum (printed whole the same way). Only declared variables are
 * walked, along their types, so the work is linear in the body (bounded by
 * the body size limit).
 *
 * A refused request gets HTTP 400 and one error with
 * `extensions.code: BAD_USER_INPUT` (the code graphql-js's own variable
 * errors have) and a message such as `Variable "$e" must be a list of at most
 * 2000 entries; received a list of 100000.` No resolver runs.
 * @param maxListLength the longest list variable coerced at all (MAX_VARIABLE_LIST_LENGTH, apolloLimits.ts).
 */
export function variableShapeGuard(maxListLength: number): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema }) {
          const variables = request.variables ?? {};
          for (const definition of operation?.variableDefinitions ?? []) {
            const name = definition.variable.name.value;
            const type = resolveTypeNode(schema, definition.type);
            const found = type === null ? null : variableProblem(type, variables[name], name, maxListLength);
            if (found === null) continue;
            const where = found.path === name ? '' : ` at ${quote(found.path)}`;
            throw new GraphQLError(
              `Variable "$${name}"${where} must be ${found.expected}; received ${found.received}.`,
              {
                nodes: definition,
                extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
              },
            );
          }
        },
      };
    },
  };
}

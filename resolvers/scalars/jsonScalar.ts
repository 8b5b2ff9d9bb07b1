import type { ValueNode } from 'graphql';
import { GraphQLScalarType, Kind } from 'graphql';
import { keepSdlDescription } from './keepSdlDescription.js';

/**
 * Converts a GraphQL literal to the JSON value it spells, resolving variables.
 * Objects, lists, strings, numbers, booleans and null; enum literals become strings.
 */
function literalToJson(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value] ?? null;
  }
}

/**
 * `JSON`: any JSON value, passed through unchanged in both directions
 * (free-form item attributes, experiment parameters, model metrics).
 * Non-finite numbers on output are an internal error: JSON cannot carry them.
 */
export const jsonScalar = keepSdlDescription(
  new GraphQLScalarType<unknown, unknown>({
    name: 'JSON',
    serialize(value) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new TypeError(`JSON cannot represent ${value}`);
      }
      return value;
    },
    parseValue: (value) => value,
    parseLiteral: (ast, variables) => literalToJson(ast, variables),
  }),
);

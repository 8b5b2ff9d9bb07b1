import type { GraphQLScalarType } from 'graphql';

/**
 * Makes a scalar's `description` non-enumerable so the SDL's description
 * survives. Apollo Server (through graphql-tools) copies every enumerable
 * property of a scalar resolver onto the schema's type, so an implementation
 * without a description (ours: the SDL in schema/scalars.graphql is the one
 * place it is written) would otherwise erase it to null.
 */
export function keepSdlDescription<T extends GraphQLScalarType>(scalar: T): T {
  Object.defineProperty(scalar, 'description', { enumerable: false, value: scalar.description });
  return scalar;
}

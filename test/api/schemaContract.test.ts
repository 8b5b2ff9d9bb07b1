import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphQLSchema } from 'graphql';
import {
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  isEnumType,
  isInputObjectType,
  isIntrospectionType,
  isObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../../src/server/loadTypeDefs.js';
import { repoRoot } from '../support/trainedRegistry.js';

/** The API contract, beside the repository (`../shared/design/api.graphql`). */
const CONTRACT = path.join(repoRoot, '../shared/design/api.graphql');
const hasContract = existsSync(CONTRACT);
const contract = buildSchema(hasContract ? readFileSync(CONTRACT, 'utf8') : 'type Query { _: Int }');
const schema = buildSchema(loadTypeDefs().join('\n'));

/** Every schema coordinate (type, field, argument, enum value) without a description. */
function undescribed(s: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(s.getTypeMap())) {
    if (isIntrospectionType(type) || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))
      continue;
    if (!type.description) missing.push(type.name);
    if (isObjectType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) {
          if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues())
        if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

describe('Schema: schema/*.graphql against the API contract (shared/design/api.graphql)', () => {
  it.skipIf(!hasContract)(
    `removes, renames or retypes nothing of the contract${hasContract ? '' : ` (skipped: no ${CONTRACT})`}`,
    () => {
      expect(findBreakingChanges(contract, schema)).toEqual([]);
    },
  );

  it.skipIf(!hasContract)('keeps every default value and enum value of the contract', () => {
    expect(findDangerousChanges(contract, schema)).toEqual([]);
  });

  it('describes every type, field, argument and enum value (for GraphiQL users)', () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('splits the SDL into one file per domain', () => {
    expect(loadTypeDefs()).toHaveLength(8);
  });
});

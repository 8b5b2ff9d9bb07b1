import type {
  ASTVisitor,
  FieldNode,
  GraphQLArgument,
  GraphQLField,
  OperationDefinitionNode,
  ValidationContext,
  ValidationRule,
  ValueNode,
} from 'graphql';
import { GraphQLError, Kind } from 'graphql';
import { LIMITS } from '../limits.js';
import { MAX_FIRST } from '../../services/recommendationService.js';

/** One field or fragment body of the document, as far as list sizes go. */
interface Scope {
  /** How many entries this field returns per parent entry; null for a field that is not a sized list. */
  readonly multiplier: number | null;
  readonly children: Scope[];
  /** Names of the fragments spread directly in this scope. */
  readonly spreads: string[];
}

const newScope = (multiplier: number | null): Scope => ({ multiplier, children: [], spreads: [] });

/** An Int argument's value as the rule can know it before variables exist. */
function intValue(node: ValueNode | undefined, arg: GraphQLArgument): number {
  if (node === undefined) return typeof arg.defaultValue === 'number' ? arg.defaultValue : LIMITS.maxFirst;
  if (node.kind === Kind.INT) return Math.max(0, Number.parseInt(node.value, 10));
  return LIMITS.maxFirst; // a variable (or a value validation refuses anyway): the largest allowed `first`
}

/** A list argument's length as the rule can know it before variables exist. */
function listLength(node: ValueNode | undefined): number {
  if (node === undefined) return 0;
  if (node.kind === Kind.LIST) return node.values.length;
  return node.kind === Kind.VARIABLE ? LIMITS.maxBatch : 1; // a single value coerces to a list of one
}

/**
 * How many entries `field` returns per parent entry: its `first` argument
 * (the literal, else the schema's default, e.g. 20 for `recommendations`,
 * 10 for `similar` and `similarItems`; a variable counts as the largest
 * allowed, 100), or for a field with an `ids` list argument (`items`) that
 * list's length (a variable counts as 1000). Null for any other field.
 */
function multiplierOf(definition: GraphQLField<unknown, unknown> | null, node: FieldNode): number | null {
  if (definition === null) return null;
  const valueOf = (name: string): ValueNode | undefined =>
    node.arguments?.find((argument) => argument.name.value === name)?.value;
  const first = definition.args.find((arg) => arg.name === 'first');
  if (first !== undefined) return intValue(valueOf('first'), first);
  if (definition.args.some((arg) => arg.name === 'ids')) return listLength(valueOf('ids'));
  return null;
}

/**
 * A validation rule bounding the list entries an operation can produce, so a
 * small document cannot ask for a huge response: `item { similar(first: 50)
 * { item { similar(first: 50) { item { similar(first: 50) { … } } } } } }`
 * is 50 + 50² + 50³ = 127,550 entries, each a similarity search.
 *
 * The estimate multiplies the sized lists (see {@link multiplierOf}) down
 * the nesting and sums every list's entries, through fragments and aliases:
 * `recommendations(first: 20) { items { item { similar(first: 10) { … } } } }`
 * is 20 + 20 × 10 = 220. Lists whose size the schema bounds otherwise
 * (`categories`, `reasons`, `sources`, `experiments`) are not counted.
 * Variables are unknown while validating (and Apollo reuses a validated
 * document with other variables), so a variable counts as its largest
 * allowed value. An operation over `maxListItems` gets one validation error
 * naming the limit and the estimate. Fragment cycles count as nothing here;
 * graphql-js's own NoFragmentCyclesRule refuses them.
 */
export function listCostRule(maxListItems: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const operations: { scope: Scope; node: OperationDefinitionNode }[] = [];
    const fragments = new Map<string, Scope>();
    const stack: Scope[] = [];
    const top = (): Scope | undefined => stack[stack.length - 1];

    const unitCosts = new Map<string, number>();
    const inProgress = new Set<string>();
    /** Entries one parent entry of `scope` produces. */
    const costOf = (scope: Scope): number => {
      let total = 0;
      for (const child of scope.children) {
        const below = costOf(child);
        total += child.multiplier === null ? below : child.multiplier * (1 + below);
      }
      for (const name of scope.spreads) total += fragmentCost(name);
      return total;
    };
    const fragmentCost = (name: string): number => {
      const known = unitCosts.get(name);
      if (known !== undefined) return known;
      const fragment = fragments.get(name);
      if (fragment === undefined || inProgress.has(name)) return 0;
      inProgress.add(name);
      const cost = costOf(fragment);
      inProgress.delete(name);
      unitCosts.set(name, cost);
      return cost;
    };

    return {
      OperationDefinition: {
        enter(node) {
          const scope = newScope(null);
          operations.push({ scope, node });
          stack.push(scope);
        },
        leave: () => void stack.pop(),
      },
      FragmentDefinition: {
        enter(node) {
          const scope = newScope(null);
          fragments.set(node.name.value, scope);
          stack.push(scope);
        },
        leave: () => void stack.pop(),
      },
      Field: {
        enter(node) {
          const scope = newScope(multiplierOf(context.getFieldDef() ?? null, node));
          top()?.children.push(scope);
          stack.push(scope);
        },
        leave: () => void stack.pop(),
      },
      FragmentSpread(node) {
        top()?.spreads.push(node.name.value);
      },
      Document: {
        leave() {
          for (const { scope, node } of operations) {
            const estimate = costOf(scope);
            if (estimate <= maxListItems) continue;
            context.reportError(
              new GraphQLError(
                `List items limit of ${maxListItems} exceeded, found ${formatCount(estimate)}: ` +
                  'the `first` arguments multiplied down the nesting (a variable counts as its largest allowed value). ' +
                  'Ask for fewer items or nest fewer lists (each list also has its own limit on `first`: ' +
                  `${MAX_FIRST} for recommendations and similarItems).`,
                { nodes: node },
              ),
            );
          }
        },
      },
    };
  };
}

/** A count for a message: an integer, or `more than 10^15` when it is astronomically large. */
const formatCount = (n: number): string => (n < 1e15 ? String(Math.round(n)) : 'more than 10^15');

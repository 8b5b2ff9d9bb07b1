import type { ASTVisitor, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';
import { GraphQLError, Kind } from 'graphql';

/**
 * A validation rule bounding the root fields (top-level selections) of each
 * operation: `{ a: modelInfo { … } b: user(id: "1") { … } … }` runs one
 * resolver per root field, so a wide document is a cheap way to ask for a
 * lot of work. GraphQL Armor has no such rule, hence this one.
 *
 * Counting: every field selected at the root of an operation is one, also
 * when it comes through a fragment spread or an inline fragment (a fragment
 * spread twice counts twice, so `{ ...A ...A }` is not a way around it);
 * `__typename` is free (it runs no resolver). Each fragment's count is
 * computed once, so fragments spreading fragments cost linear time, however
 * the counts multiply. Fragment cycles count as nothing here: graphql-js's
 * own NoFragmentCyclesRule refuses them. An operation over `maxRootFields`
 * gets one validation error: `Root fields limit of 10 exceeded, found 11.`
 * (code GRAPHQL_VALIDATION_FAILED, HTTP 400).
 * @param maxRootFields a positive integer (checked by resolveQueryLimits).
 */
export function rootFieldsRule(maxRootFields: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragmentCounts = new Map<string, number>();
    const inProgress = new Set<string>();

    const countFragment = (name: string): number => {
      const known = fragmentCounts.get(name);
      if (known !== undefined) return known;
      const fragment = context.getFragment(name);
      if (fragment === null || fragment === undefined || inProgress.has(name)) return 0;
      inProgress.add(name);
      const count = countSelections(fragment.selectionSet);
      inProgress.delete(name);
      fragmentCounts.set(name, count);
      return count;
    };
    const countSelections = (selectionSet: SelectionSetNode): number => {
      let count = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) count += selection.name.value === '__typename' ? 0 : 1;
        else if (selection.kind === Kind.INLINE_FRAGMENT) count += countSelections(selection.selectionSet);
        else count += countFragment(selection.name.value);
      }
      return count;
    };

    return {
      OperationDefinition(node) {
        const found = countSelections(node.selectionSet);
        if (found <= maxRootFields) return;
        // Fragments spreading fragments multiply: say so rather than print 1.2e+300.
        const shown = found < 1e15 ? String(found) : 'more than 10^15';
        context.reportError(
          new GraphQLError(`Root fields limit of ${maxRootFields} exceeded, found ${shown}.`, {
            nodes: node,
          }),
        );
      },
    };
  };
}

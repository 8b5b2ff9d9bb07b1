import type { ModelManifest } from '../../src/domain/manifest.js';

/** The iALS settings a manifest's `retrieval` section records. */
export interface IalsSettings {
  readonly dimension: number;
  readonly regularization: number;
  readonly regularizationExponent: number;
  readonly alpha: number;
  readonly epochs: number;
}

/**
 * A manifest's `retrieval` section for iALS factors with the registry's
 * standard file names (`items.f32`, `item-factors.f32`, `items.json`,
 * `users.f32`, `users.json`: docs/registry.md) and the MIPS-to-cosine item
 * vectors of `dimension + 1` components. Used by training, the bench's
 * synthetic versions and the test fixtures, so the names are written once.
 * @param maxItemNorm M of the transform: the largest item-factor norm.
 */
export function retrievalSection(settings: IalsSettings, maxItemNorm: number): ModelManifest['retrieval'] {
  return {
    algorithm: 'ials',
    dimension: settings.dimension,
    regularization: settings.regularization,
    regularizationExponent: settings.regularizationExponent,
    alpha: settings.alpha,
    epochs: settings.epochs,
    distance: 'cosine',
    vectorDimension: settings.dimension + 1,
    transform: 'mips-to-cosine',
    maxItemNorm,
    itemVectors: 'items.f32',
    itemFactors: 'item-factors.f32',
    itemIds: 'items.json',
    userFactors: 'users.f32',
    userIds: 'users.json',
  };
}

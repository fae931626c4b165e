// PodDisruptionBudget (policy/v1 poddisruptionbudgets).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    listKind: 'PodDisruptionBudgetList',
    resource: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    namespaced: true,
    shortNames: ['pdb'],
  },
  status: {},
  generation: true,
});

// HorizontalPodAutoscaler (autoscaling/v2 horizontalpodautoscalers).
import { defineStrategy } from '../../define.js';

export const strategy = defineStrategy({
  info: {
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    listKind: 'HorizontalPodAutoscalerList',
    resource: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
  },
  status: {},
  generation: true,
});

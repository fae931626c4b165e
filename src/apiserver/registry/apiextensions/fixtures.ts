// Test fixtures shared by the apiextensions tests (not used at run time).

// The sample CRD of the acceptance checks (shared/acceptance/03-apiserver).
export const crontabCrd = () => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] } as any,
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' }, replicas: { type: 'integer' } } } } } } as any,
      } as any,
    ],
  } as any,
});


/** A CRD in the shape controller-gen writes (conditions, int-or-string, maps, embedded templates). */
export const widgetCrd = (): any => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.io', annotations: { 'controller-gen.kubebuilder.io/version': 'v0.16.0' } },
  spec: {
    group: 'example.io',
    names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget', categories: ['all'] },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        additionalPrinterColumns: [
          { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
          { jsonPath: '.spec.size', name: 'Size', type: 'integer', priority: 1 },
          { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
        ],
        subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size', labelSelectorPath: '.status.selector' } },
        schema: {
          openAPIV3Schema: {
            description: 'Widget is the Schema for the widgets API.',
            type: 'object',
            properties: {
              apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
              kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
              metadata: { type: 'object' },
              spec: {
                description: 'WidgetSpec defines the desired state of Widget.',
                type: 'object',
                required: ['color'],
                properties: {
                  color: { type: 'string', enum: ['red', 'green', 'blue'] },
                  size: { type: 'integer', format: 'int32', minimum: 0, default: 1 },
                  port: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  selector: {
                    type: 'object',
                    'x-kubernetes-map-type': 'atomic',
                    properties: {
                      matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
                      matchExpressions: {
                        type: 'array',
                        'x-kubernetes-list-type': 'atomic',
                        items: { type: 'object', required: ['key', 'operator'], properties: { key: { type: 'string' }, operator: { type: 'string' }, values: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' } } },
                      },
                    },
                  },
                  template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
                  extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
                },
              },
              status: {
                type: 'object',
                properties: {
                  size: { type: 'integer', format: 'int32' },
                  selector: { type: 'string' },
                  conditions: {
                    type: 'array',
                    'x-kubernetes-list-map-keys': ['type'],
                    'x-kubernetes-list-type': 'map',
                    items: {
                      type: 'object',
                      required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
                      properties: {
                        lastTransitionTime: { type: 'string', format: 'date-time' },
                        message: { type: 'string', maxLength: 32768 },
                        observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
                        reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
                        status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
                        type: { type: 'string', maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
});

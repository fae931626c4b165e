// A resource is configuration plus a strategy (Kubernetes' registry pattern): the generic store
// (registry/generic) does get/list/watch/create/update/patch/delete for every kind; a kind's
// strategy (registry/<group>/<resource>/strategy.ts) adds what is particular to it. Status and
// scale subresources are the same store with another strategy.
import type { FieldErrorList } from '../../api/field-errors.js';

/** A Kubernetes object as JSON (apiVersion, kind, metadata, spec, status, ...). */
export type KObject = Record<string, any> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, any>;
};

/** What the strategy hooks know about the request. */
export interface StrategyContext {
  /** The namespace of the request ('' for cluster-scoped). */
  namespace: string;
  /** The authenticated user (allow-all until the security issue lands). */
  user: { name: string; groups: string[]; uid?: string };
  dryRun: boolean;
  /** The current time (injectable). */
  now(): Date;
}

/** One column of a meta.k8s.io Table, as Kubernetes' printers define it. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0 = always shown; 1 = only with -o wide. */
  priority: number;
}

export interface TableConvertor {
  columns: TableColumn[];
  /** One row's cells, in column order; `now` for AGE-like columns. */
  cells(obj: KObject, now: Date): unknown[];
}

/** Static facts about a resource: discovery, storage layout, scope. */
export interface ResourceInfo {
  group: string; // '' for core
  version: string;
  kind: string;
  listKind: string;
  /** Plural, lower-case: 'pods'. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Default: create, delete, deletecollection, get, list, patch, update, watch. */
  verbs?: string[];
  /**
   * The store prefix under /registry when it differs from `resource` (etcd layout of
   * kube-apiserver): nodes -> 'minions', services -> 'services/specs', endpoints ->
   * 'services/endpoints', replicationcontrollers -> 'controllers', ingresses -> 'ingress'.
   * Group-qualified when Kubernetes does so (e.g. 'deployments', not 'apps/deployments').
   */
  storagePrefix?: string;
}

/** The per-kind behaviour the generic store calls. Every hook is optional except `info`. */
export interface Strategy {
  info: ResourceInfo;
  /** Default fields (Kubernetes' SetDefaults_*): runs on create and update, before validation. */
  defaults?(obj: KObject): void;
  /** On create: reset what a client may not set (e.g. status), initialise generation. */
  prepareForCreate?(obj: KObject, ctx: StrategyContext): void;
  /** On update of the main resource: keep fields the client may not change here (e.g. status). */
  prepareForUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): void;
  validate?(obj: KObject, ctx: StrategyContext): FieldErrorList;
  validateUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): FieldErrorList;
  /** Whether a spec change bumps metadata.generation (true for most kinds with a spec). */
  generationOnSpecChange?: boolean;
  /** Table columns for `kubectl get` (NAME and AGE are the default when absent). */
  table?: TableConvertor;
  /** Field selectors beyond metadata.name / metadata.namespace: 'spec.nodeName' -> value. */
  fieldSelectors?: Record<string, (obj: KObject) => string | undefined>;
  /** The status subresource's strategy (only .status changes through it). Absent = no /status. */
  status?: {
    prepareForUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): void;
    validateUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): FieldErrorList;
  };
  /**
   * The scale subresource (autoscaling/v1 Scale): where replicas live and how the selector is
   * rendered. Absent = no /scale.
   */
  scale?: {
    specReplicasPath: string; // 'spec.replicas'
    statusReplicasPath: string; // 'status.replicas'
    labelSelectorPath?: string; // 'spec.selector' (rendered as a selector string)
  };
  /**
   * Graceful deletion: the grace period to apply (seconds) or undefined for immediate removal.
   * Pods: their terminationGracePeriodSeconds unless unscheduled or already terminal.
   */
  gracePeriod?(obj: KObject, requested: number | undefined): number | undefined;
  /**
   * Objects kept in another version's shape (events.k8s.io/v1 Events are stored as core/v1
   * Events): converters at the storage boundary. The generic store applies toStorage before every
   * write and fromStorage after every read (get, list, watch).
   */
  storageConversion?: { toStorage(obj: KObject): KObject; fromStorage(obj: KObject): KObject };
  /** Hooks run after a successful create/delete (e.g. release a ClusterIP). */
  afterCreate?(obj: KObject): Promise<void> | void;
  afterDelete?(obj: KObject): Promise<void> | void;
}

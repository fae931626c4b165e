// Store errors: etcd's gRPC status codes and exact messages (etcd 3.4 api/v3rpc/rpctypes).
// Clients (etcdctl, client libraries, kube-apiserver) match on the message text, so these
// strings are part of the contract.

/** gRPC status codes by name, with their numeric values. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCodeName = keyof typeof GrpcCode;

export class StoreError extends Error {
  constructor(
    readonly code: GrpcCodeName,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
  get grpcCode(): number {
    return GrpcCode[this.code];
  }
}

const def = (code: GrpcCodeName, message: string) => ({ code, message });

/** etcd's errors, keyed by the name etcd gives them (ErrGRPC<Name>). */
export const Errors = {
  EmptyKey: def('INVALID_ARGUMENT', 'etcdserver: key is not provided'),
  KeyNotFound: def('INVALID_ARGUMENT', 'etcdserver: key not found'),
  ValueProvided: def('INVALID_ARGUMENT', 'etcdserver: value is provided'),
  LeaseProvided: def('INVALID_ARGUMENT', 'etcdserver: lease is provided'),
  TooManyOps: def('INVALID_ARGUMENT', 'etcdserver: too many operations in txn request'),
  DuplicateKey: def('INVALID_ARGUMENT', 'etcdserver: duplicate key given in txn request'),
  Compacted: def('OUT_OF_RANGE', 'etcdserver: mvcc: required revision has been compacted'),
  FutureRev: def('OUT_OF_RANGE', 'etcdserver: mvcc: required revision is a future revision'),
  NoSpace: def('RESOURCE_EXHAUSTED', 'etcdserver: mvcc: database space exceeded'),
  LeaseNotFound: def('NOT_FOUND', 'etcdserver: requested lease not found'),
  LeaseExist: def('FAILED_PRECONDITION', 'etcdserver: lease already exists'),
  LeaseTTLTooLarge: def('OUT_OF_RANGE', 'etcdserver: too large lease TTL'),
  RequestTooLarge: def('INVALID_ARGUMENT', 'etcdserver: request is too large'),
  Stopped: def('UNAVAILABLE', 'etcdserver: server stopped'),
  Timeout: def('UNAVAILABLE', 'etcdserver: request timed out'),
  Corrupt: def('DATA_LOSS', 'etcdserver: corrupt cluster'),
  NotCapable: def('UNAVAILABLE', 'etcdserver: not capable'),
  RootUserNotExist: def('FAILED_PRECONDITION', 'etcdserver: root user does not exist'),
  RootRoleNotExist: def('FAILED_PRECONDITION', 'etcdserver: root user does not have root role'),
  UserAlreadyExist: def('FAILED_PRECONDITION', 'etcdserver: user name already exists'),
  UserEmpty: def('INVALID_ARGUMENT', 'etcdserver: user name is empty'),
  UserNotFound: def('FAILED_PRECONDITION', 'etcdserver: user name not found'),
  RoleAlreadyExist: def('FAILED_PRECONDITION', 'etcdserver: role name already exists'),
  RoleNotFound: def('FAILED_PRECONDITION', 'etcdserver: role name not found'),
  RoleEmpty: def('INVALID_ARGUMENT', 'etcdserver: role name is empty'),
  AuthFailed: def('INVALID_ARGUMENT', 'etcdserver: authentication failed, invalid user ID or password'),
  PermissionDenied: def('PERMISSION_DENIED', 'etcdserver: permission denied'),
  RoleNotGranted: def('FAILED_PRECONDITION', 'etcdserver: role is not granted to the user'),
  PermissionNotGranted: def('FAILED_PRECONDITION', 'etcdserver: permission is not granted to the role'),
  AuthNotEnabled: def('FAILED_PRECONDITION', 'etcdserver: authentication is not enabled'),
  InvalidAuthToken: def('UNAUTHENTICATED', 'etcdserver: invalid auth token'),
  InvalidAuthMgmt: def('INVALID_ARGUMENT', 'etcdserver: invalid auth management'),
  MemberNotFound: def('NOT_FOUND', 'etcdserver: member not found'),
} as const;
export type ErrorName = keyof typeof Errors;

/** Make the StoreError etcd would return for `name`. */
export function storeError(name: ErrorName): StoreError {
  const e = Errors[name];
  return new StoreError(e.code, e.message);
}

export function isStoreError(err: unknown, name?: ErrorName): err is StoreError {
  if (!(err instanceof StoreError)) return false;
  return name === undefined || err.message === Errors[name].message;
}

// The result of a plugin at an extension point (Kubernetes' framework.Status). Expected outcomes
// (a node that does not fit) are values, not exceptions (DESIGN principle 3).

export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Wait' | 'Skip' | 'Pending';

export class Status {
  constructor(
    readonly code: Code,
    readonly reasons: string[] = [],
    public plugin = '',
  ) {}
  static success(): Status {
    return SUCCESS;
  }
  static unschedulable(...reasons: string[]): Status {
    return new Status('Unschedulable', reasons);
  }
  static unresolvable(...reasons: string[]): Status {
    return new Status('UnschedulableAndUnresolvable', reasons);
  }
  static error(reason: string): Status {
    return new Status('Error', [reason]);
  }
  static skip(): Status {
    return SKIP;
  }
  isSuccess(): boolean {
    return this.code === 'Success';
  }
  isSkip(): boolean {
    return this.code === 'Skip';
  }
  /** Unschedulable or UnschedulableAndUnresolvable: the node (or pod) is rejected. */
  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }
  withPlugin(name: string): Status {
    if (this === SUCCESS || this === SKIP) return this;
    this.plugin = name;
    return this;
  }
  message(): string {
    return this.reasons.join(', ');
  }
}

const SUCCESS = new Status('Success');
const SKIP = new Status('Skip');

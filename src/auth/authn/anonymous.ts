// Anonymous requests (`--anonymous-auth`, default on as in kube): a request with no credentials
// at all is system:anonymous in group system:unauthenticated, and can do only what RBAC grants
// those (by default /healthz, /livez, /readyz and /version via system:public-info-viewer).
import type { UserInfo } from '../../apiserver/filters/pipeline.js';

export const anonymousUser: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

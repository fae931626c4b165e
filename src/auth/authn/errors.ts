// An authentication failure: the request carried credentials and they are wrong (a bad
// certificate, an unknown or expired token). The apiserver answers 401 Unauthorized and does
// not fall back to anonymous, as kube-apiserver.
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

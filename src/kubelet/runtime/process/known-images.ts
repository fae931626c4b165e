// What the process runtime runs for a container that gives no command or args: images are not
// unpacked, so the image's own entrypoint is unknown. A few images everyone starts with
// (`kubectl create deployment web --image=nginx`) get a stand-in on the host instead:
//   nginx, httpd         a small web server on port 80 (the image's port) answering every GET with
//                        the image's welcome page and logging each request to stdout as the
//                        image does (nginx's combined format; httpd's common format)
//   pause                sleeps until stopped (registry.k8s.io/pause, the sandbox image)
//   busybox, alpine,     `sh`, the image's default command (with no tty and no stdin it exits at
//   debian, ubuntu       once, as it does in a real runtime)
// Any other image without a command fails with ContainerCannotRun and says why. The stand-ins
// are documented in the README; they are not the images' programs.

/** The repository's last path segment without registry, tag or digest: `docker.io/library/nginx:1.27` -> `nginx`. */
export function imageBaseName(image: string): string {
  const noDigest = image.split('@')[0];
  const parts = noDigest.split('/');
  const last = parts[parts.length - 1];
  const colon = last.lastIndexOf(':');
  return (colon >= 0 ? last.slice(0, colon) : last).toLowerCase();
}

const welcome: Record<string, { page: string; server: string; log: 'combined' | 'common' }> = {
  nginx: {
    server: 'nginx',
    log: 'combined',
    page: '<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. (Served by keelson\'s process runtime in place of the nginx image.)</p>\n</body>\n</html>\n',
  },
  httpd: { server: 'Apache', log: 'common', page: '<html><body><h1>It works!</h1></body></html>\n' },
};

/** A node program: an HTTP server on :80 answering with `page`, one access-log line per request. */
function webServer(w: (typeof welcome)[string]): string {
  return `
const http = require('http');
const page = ${JSON.stringify(w.page)};
const pad = (n) => String(n).padStart(2, '0');
const months = ['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'];
const stamp = (d) => pad(d.getUTCDate()) + '/' + months[d.getUTCMonth()] + '/' + d.getUTCFullYear() + ':' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + ' +0000';
const server = http.createServer((req, res) => {
  const get = req.method === 'GET' || req.method === 'HEAD';
  const body = get ? page : '';
  res.writeHead(get ? 200 : 405, { 'Server': ${JSON.stringify(w.server)}, 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
  const line = (req.socket.remoteAddress || '-').replace(/^::ffff:/, '') + ' - - [' + stamp(new Date()) + '] "' + req.method + ' ' + req.url + ' HTTP/' + req.httpVersion + '" ' + res.statusCode + ' ' + Buffer.byteLength(body)${w.log === 'combined' ? ` + ' "' + (req.headers.referer || '-') + '" "' + (req.headers['user-agent'] || '-') + '"'` : ''};
  console.log(line);
});
server.on('error', (e) => { console.error('bind() to 0.0.0.0:80 failed (' + e.code + ': ' + e.message + ')'); process.exit(1); });
server.listen(80, () => console.error('keelson process runtime: ${w.server} stand-in listening on port 80'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGQUIT', () => server.close(() => process.exit(0)));
`;
}

/** The argv to run for `image` when the container has no command or args, or undefined if unknown. */
export function knownImageCommand(image: string, nodeBinary: string = process.execPath): string[] | undefined {
  const base = imageBaseName(image);
  if (welcome[base]) return [nodeBinary, '-e', webServer(welcome[base])];
  if (base === 'pause') return ['sleep', 'infinity'];
  if (['busybox', 'alpine', 'debian', 'ubuntu'].includes(base)) return ['sh'];
  return undefined;
}

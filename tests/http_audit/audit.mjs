// The graphql-http server audit (GraphQL-over-HTTP specification) against a running server.
// Usage: node audit.mjs URL TOKEN. Prints every audit; exits 1 if any MUST audit fails.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node audit.mjs URL TOKEN');
  process.exit(2);
}

// Every request carries the token: an unauthenticated one never reaches GraphQL here.
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
let mustFailures = 0;
for (const result of results) {
  const mark = result.status === 'ok' ? 'ok  ' : result.status;
  console.log(`${mark.padEnd(6)} ${result.name}${result.status === 'ok' ? '' : ` -- ${result.reason}`}`);
  if (result.status === 'error') mustFailures += 1;
}
const failed = results.filter((result) => result.status !== 'ok');
console.log(
  `graphql-http audit: ${results.length - failed.length} ok, ${mustFailures} MUST failed, ` +
    `${failed.length - mustFailures} SHOULD/MAY not met`,
);
process.exit(mustFailures ? 1 : 0);

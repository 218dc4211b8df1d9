// The HTTP ceiling: a bare Fastify route that does what an authorization response does on the
// wire — a 302 with a Location and a Set-Cookie — and nothing else.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/authorize', (_req, reply) =>
  reply
    .code(302)
    .header('set-cookie', 'bench=0123456789abcdef0123456789abcdef; Path=/; HttpOnly; SameSite=Lax')
    .header('location', 'http://127.0.0.1:1/cb?code=0123456789abcdef0123456789abcdef0123456789a&iss=http%3A%2F%2F127.0.0.1')
    .send(),
);
const address = await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
console.error(`bare: listening on ${address}`);

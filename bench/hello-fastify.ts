// Baselines: a bare Fastify hello-world, and the same server answering a fixed JSON body the size
// of GET /api/v1/opds, so the figures separate the cost of the payload from Simpul's own work.
import Fastify from 'fastify';

const payload = JSON.parse(process.argv[2] ?? '[]') as unknown;
const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
app.get('/payload', async () => payload);
await app.listen({ host: '127.0.0.1', port: 0 });
const a = app.server.address();
console.log(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);

import express from 'express';

// The ceiling for `npm run bench -- records`: Express's hello-world route, run as a child process
// on PORT exactly like the Rapport server, with the same Express version and nothing else.

const app = express();
app.get('/', (_req, res) => {
  res.send('Hello World!');
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));

// Runs the bundled checks in Deno: `deno run ... run-deno.mjs <check.mjs> <fixtures.json>`.
// TCP is Deno.connect, whose connection already is `{ readable, writable }`.
const [checkFile, fixturesFile] = Deno.args;
const { runChecks } = await import(new URL(checkFile, `file://${Deno.cwd()}/`).href);
const fixtures = JSON.parse(await Deno.readTextFile(fixturesFile));
const results = await runChecks({
  runtime: 'deno',
  fixtures,
  connect: (hostname, port) => Deno.connect({ hostname, port, transport: 'tcp' }),
});
console.log(`RESULTS ${JSON.stringify(results)}`);

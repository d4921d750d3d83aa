// Shared measuring loop: warm-up, then several timed samples; reports the median. Each benchmark
// measures its figure and its baseline in the same run and prints one JSON line per figure.
export function measure(fn, { warmupMs = 200, sampleMs = 300, samples = 7 } = {}) {
  const until = (ms) => {
    const end = performance.now() + ms;
    let n = 0;
    while (performance.now() < end) {
      fn();
      n++;
    }
    return n;
  };
  until(warmupMs);
  const rates = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const n = until(sampleMs);
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

/** Prints one figure as a JSON line (run.mjs collects them for its table). */
export function report(bench, unit, value, extra = {}) {
  console.log(JSON.stringify({ bench, unit, value: Number(value.toPrecision(4)), ...extra }));
}

/**
 * Side by side: times each function in `fns` (name -> fn) after a warm-up of all of them, then
 * interleaves their samples (A B C, A B C, ...) so load from other processes hits all alike.
 * Returns { name: median ops/s } and, in `spread`, (max - min) / median per name as a noise hint.
 */
export function compare(fns, { warmupMs = 200, sampleMs = 250, samples = 7 } = {}) {
  const names = Object.keys(fns);
  const run = (fn, ms) => {
    const t0 = performance.now();
    const end = t0 + ms;
    let n = 0;
    let now = t0;
    while (now < end) {
      fn();
      n++;
      now = performance.now();
    }
    return n / ((now - t0) / 1000);
  };
  for (const name of names) run(fns[name], warmupMs);
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < samples; i++) for (const name of names) rates[name].push(run(fns[name], sampleMs));
  const medians = {};
  const spread = {};
  for (const name of names) {
    const r = rates[name].sort((a, b) => a - b);
    const med = r[Math.floor(r.length / 2)];
    medians[name] = med;
    spread[name] = (r[r.length - 1] - r[0]) / med;
  }
  return { medians, spread };
}

/**
 * `compare` for asynchronous operations (a handshake over sockets, an awaited verifier): each
 * sample runs `fn` back to back for `sampleMs`, one at a time; samples are interleaved across names.
 */
export async function compareAsync(fns, { warmupMs = 300, sampleMs = 400, samples = 5 } = {}) {
  const names = Object.keys(fns);
  const run = async (fn, ms) => {
    const t0 = performance.now();
    const end = t0 + ms;
    let n = 0;
    let now = t0;
    while (now < end) {
      await fn();
      n++;
      now = performance.now();
    }
    return n / ((now - t0) / 1000);
  };
  for (const name of names) await run(fns[name], warmupMs);
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < samples; i++) for (const name of names) rates[name].push(await run(fns[name], sampleMs));
  const medians = {};
  const spread = {};
  for (const name of names) {
    const r = rates[name].sort((a, b) => a - b);
    const med = r[Math.floor(r.length / 2)];
    medians[name] = med;
    spread[name] = (r[r.length - 1] - r[0]) / med;
  }
  return { medians, spread };
}

/** Prints a ratio figure with the acceptance target it is checked against (`met` when target is given). */
export function reportRatio(bench, value, target, extra = {}) {
  report(bench, 'x', value, target === undefined ? extra : { target, met: value >= target, ...extra });
}

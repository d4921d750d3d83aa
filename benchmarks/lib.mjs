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

export const results = [];

export function report(bench, unit, value, extra = {}) {
  const line = { bench, unit, value: Number(value.toPrecision(4)), ...extra };
  results.push(line);
  console.log(JSON.stringify(line));
}

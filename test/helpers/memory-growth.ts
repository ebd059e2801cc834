/** Peak growth of resident and Buffer memory while `fn` runs, sampled every 2 ms. */
export async function memoryGrowth(fn: () => Promise<void>): Promise<{ rss: number; arrayBuffers: number }> {
  const base = process.memoryUsage();
  let rss = base.rss;
  let arrayBuffers = base.arrayBuffers;
  const sample = (): void => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    arrayBuffers = Math.max(arrayBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 2);
  try {
    await fn();
  } finally {
    clearInterval(timer);
    sample();
  }
  return { rss: rss - base.rss, arrayBuffers: arrayBuffers - base.arrayBuffers };
}

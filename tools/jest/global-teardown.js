module.exports = async function globalTeardown() {
  await globalThis.__CASELINE_RELEASE__?.();
};

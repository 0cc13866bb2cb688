// Timer futures for the plain build, which has no blocking wait.
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

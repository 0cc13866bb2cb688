// The clock every worker shares, defined once with the crate's (crate/js/clock.js).
export { nowMs } from '../../crate/js/clock.js';

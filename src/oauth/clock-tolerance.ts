/**
 * Largest clock tolerance, in seconds, that a verifier of our access tokens may allow past
 * `exp`; the authorizer's `CLOCK_TOLERANCE_SECONDS` is capped at it. Deny-list entries live
 * this much longer than the tokens they cover, so a revoked token cannot pass again inside
 * a verifier's tolerance.
 */
export const MAX_CLOCK_TOLERANCE_SECONDS = 300;

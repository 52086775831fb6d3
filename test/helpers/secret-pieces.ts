/** A client secret as the API console shows one, for tests that check no message ever repeats it. */
export const CLIENT_SECRET = 'a3f9c2e7d1b8405f96e2c7a1d3b9f0e4c6a8b2d5e7';

/** Pieces of the client secret a message must not contain: its start, middle and end. */
export const PIECES = [CLIENT_SECRET, CLIENT_SECRET.slice(0, 8), CLIENT_SECRET.slice(16, 26), CLIENT_SECRET.slice(-8), 'a3f9c2'];

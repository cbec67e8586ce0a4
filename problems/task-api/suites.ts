import { defineSuites } from '@assay/sdk';
import { creating } from './suites/creating.js';
import { getLatency, listLatency } from './suites/latency.js';
import { listing } from './suites/listing.js';
import { stress } from './suites/stress.js';
import { updating } from './suites/updating.js';

// The list benchmark runs last, when the most data is stored.
export default defineSuites({ correctness: [...creating, ...listing, ...updating], stress, latency: [getLatency, listLatency] });

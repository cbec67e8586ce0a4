import { defineSuites } from '@assay/sdk';
import { correctness } from './suites/correctness';
import { tidy } from './suites/harness';
import { stress } from './suites/stress';

export default defineSuites({ correctness: correctness.map(tidy), stress: stress.map(tidy) });

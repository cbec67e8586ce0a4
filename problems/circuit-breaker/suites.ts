import { defineSuites } from '@assay/sdk';
import { correctness } from './suites/correctness';
import { stress } from './suites/stress';

export default defineSuites({ correctness, stress });

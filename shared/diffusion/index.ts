export * from './schedule.ts';
export * from './forward.ts';
export * from './posterior.ts';
export * from './samplers.ts';
export * from './guidance.ts';
export * from './clip-x0.ts';

// The one place that loads tsyringe: reflect-metadata must be imported before it, so every DI import goes through here.
import 'reflect-metadata';

export { container, inject, injectable, singleton, Lifecycle } from 'tsyringe';
export type { DependencyContainer, InjectionToken } from 'tsyringe';

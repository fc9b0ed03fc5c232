import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

export interface DecoratedMethod<S> {
  spec: S;
  /** The method, bound to its provider instance. */
  handler: (...args: unknown[]) => Promise<unknown>;
  owner: string;
}

/** Finds provider methods carrying a given metadata key, the way Nest's own modules do. */
@Injectable()
export class DecoratedMethods {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  find<S>(key: symbol): DecoratedMethod<S>[] {
    const found: DecoratedMethod<S>[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
        if (typeof method !== 'function') continue;
        const spec = this.reflector.get<S | undefined>(key, method);
        const handler = (...args: unknown[]) => method.apply(instance, args);
        if (spec) found.push({ spec, handler, owner: String(wrapper.name) });
      }
    }
    return found;
  }
}

import { Module } from '@nestjs/common';
import { DatasetsController } from './datasets.controller';
import { DecisionsController } from './decisions.controller';
import { DecisionsRoutes } from './decisions.routes';
import { GroupsController } from './groups.controller';
import { PolicyForwarder } from './policy-forwarder';
import { RegistryController } from './registry.controller';

/** The policy endpoints of CONTRACT section 5, forwarded to the policy app over NATS. */
@Module({
  controllers: [GroupsController, DatasetsController, RegistryController, DecisionsController],
  providers: [PolicyForwarder, DecisionsRoutes],
})
export class PolicyModule {}

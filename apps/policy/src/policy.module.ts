import { Module } from '@nestjs/common';
import { tablesReplay } from '@tessera/platform';
import { AffiliationsController } from './affiliations/affiliations.controller';
import { DecisionCallers } from './callers/decision-callers';
import { PolicyCommands } from './callers/policy-commands';
import { DatasetsController } from './datasets/datasets.controller';
import { DirectResponders } from './decisions/direct-responders';
import { Decider } from './decisions/decider';
import { DecisionIndexReplay } from './decisions/decision-index.replay';
import { DecisionIndexProjection } from './decisions/decision-index.projection';
import { DecisionsController } from './decisions/decisions.controller';
import { GrantsController } from './grants/grants.controller';
import { GroupsController } from './groups/groups.controller';
import { MiddleAuthController } from './middle-auth/middle-auth.controller';
import { PermissionsController } from './permissions/permissions.controller';
import { POLICY_READ_MODELS } from './read-models/policy-names.projection';
import { ServiceTablesController } from './servicetables/servicetables.controller';
import { TosController } from './tos/tos.controller';

@Module({
  controllers: [
    DecisionsController,
    GroupsController,
    DatasetsController,
    PermissionsController,
    GrantsController,
    ServiceTablesController,
    TosController,
    AffiliationsController,
    MiddleAuthController,
  ],
  providers: [
    DecisionIndexProjection,
    DecisionIndexReplay,
    tablesReplay('policy-read-models', 'policy', POLICY_READ_MODELS),
    PolicyCommands,
    DecisionCallers,
    Decider,
    DirectResponders,
  ],
})
export class PolicyModule {}

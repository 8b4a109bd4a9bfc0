import { Module } from '@nestjs/common';
import { AffiliationsController } from './affiliations/affiliations.controller';
import { DecisionCallers } from './callers/decision-callers';
import { PolicyWriter } from './callers/policy-writer';
import { DatasetsController } from './datasets/datasets.controller';
import { CheckResponder } from './decisions/check-responder';
import { Decider } from './decisions/decider';
import { DecisionIndexReplay } from './decisions/decision-index.replay';
import { DecisionIndexProjection } from './decisions/decision-index.projection';
import { DecisionsController } from './decisions/decisions.controller';
import { GrantsController } from './grants/grants.controller';
import { GroupsController } from './groups/groups.controller';
import { PermissionsController } from './permissions/permissions.controller';
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
  ],
  providers: [DecisionIndexProjection, DecisionIndexReplay, PolicyWriter, DecisionCallers, Decider, CheckResponder],
})
export class PolicyModule {}

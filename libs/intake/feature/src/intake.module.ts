import { Module } from '@nestjs/common';
import { CaselineInfrastructureModule } from '@caseline/service-kit';
import { CasesController } from './cases.controller';
import { IntakeService } from './intake.service';
import { ReferenceSerials } from './reference-serials';
import { intakeMigrations } from './intake.migrations';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'intake', schema: 'intake', migrations: intakeMigrations })],
  controllers: [CasesController],
  providers: [IntakeService, ReferenceSerials],
})
export class IntakeModule {}

import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaselineInfrastructureModule, sqlFor } from '@caseline/service-kit';
import { CityClock } from './city-clock';
import { DashboardController } from './dashboard.controller';
import { FiguresQueries } from './figures';
import { FiguresProjector } from './figures-projector';
import { StatisticsController } from './statistics.controller';
import { statisticsMigrations } from './statistics.migrations';

/** The statistics service: the figures read model, kept up with the case log, and the views of it. No Kafka: it reads the log itself (ADR 0016). */
@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'statistics', schema: 'statistics', migrations: statisticsMigrations, kafka: false })],
  controllers: [StatisticsController, DashboardController],
  providers: [
    CityClock,
    FiguresProjector,
    {
      provide: FiguresQueries,
      inject: [DataSource, CityClock],
      useFactory: (dataSource: DataSource, clock: CityClock) => new FiguresQueries(sqlFor(dataSource), clock.timeZone),
    },
  ],
})
export class StatisticsModule {}

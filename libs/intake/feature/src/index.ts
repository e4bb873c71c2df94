export * from './intake.module';
export * from './intake.service';
export * from './report-case.dto';
export * from './intake.migrations';

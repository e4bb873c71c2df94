import 'reflect-metadata';
import { envInt, isProduction, startHttpService } from '@caseline/service-kit';
import { AppModule } from './app.module';

// A stand-in for the city's identity provider: never part of a production deployment.
if (isProduction()) throw new Error('The local identity provider is for development and tests only: set OIDC_ISSUER to the city\'s provider');
void startHttpService(AppModule, { name: 'identity-provider', port: envInt('IDENTITY_PROVIDER_PORT', 3020) });
